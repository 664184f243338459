// How personal data looks to a caller without the `pii` scope: recognisable enough to tell records
// apart ("a•••@example.com", "+1••••••0123"), not enough to contact the person.
const DOT = "•";

export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at < 1) return DOT.repeat(3);
  return `${email[0]}${DOT.repeat(3)}${email.slice(at)}`;
}

export function maskPhone(phone: string): string {
  if (phone.length <= 6) return DOT.repeat(phone.length);
  return `${phone.slice(0, 2)}${DOT.repeat(phone.length - 6)}${phone.slice(-4)}`;
}
