// The detector for personal data in free text: every email and international phone number found
// and masked where it is written, the rest of the text left as it was.
import { findPhoneNumbersInText } from "libphonenumber-js";
import { describe, expect, test } from "vitest";
import {
  findPersonalData,
  maskPersonalDataInText,
  maskWholeValue,
} from "../../src/sdk/mask-personal-data.ts";

describe("finding personal data in text", () => {
  test("finds emails and international phones, in order, with their places", () => {
    const text = "Mail zoe.doe+cx@mail.example.co.uk or call +1 (415) 555-0123.";
    expect(findPersonalData(text)).toEqual([
      { kind: "email", start: 5, end: 34, text: "zoe.doe+cx@mail.example.co.uk" },
      { kind: "phone", start: 43, end: 60, text: "+1 (415) 555-0123" },
    ]);
  });

  test("leaves order numbers, dates, amounts and handles alone", () => {
    for (const text of [
      "Order #1001 of 2026-06-15: 49.90 EUR",
      "@zoe liked it",
      "3 CDs",
      "support.reply",
      "a@b",
    ]) {
      expect(findPersonalData(text), text).toEqual([]);
      expect(maskPersonalDataInText(text)).toBe(text);
    }
  });

  test("national numbers count only with a default country", () => {
    expect(findPersonalData("call (415) 555-0123")).toEqual([]);
    expect(maskPersonalDataInText("call (415) 555-0123", { defaultCountry: "US" })).toBe("call 41••••0123");
  });

  // findPersonalData skips the phone matcher for a text without a plus sign when no country is given
  // (it costs a third of a masked list page's CPU otherwise): the library must find nothing there.
  test("without a default country, the library finds phones only after a plus sign", () => {
    for (const text of [
      "call (415) 555-0123",
      "Call 0044 20 7946 0958",
      "00 1 415 555 0123",
      "011 44 20 7946 0958",
      "1-800-555-0199",
      "tel:14155550123",
      "4155550123",
      "Order 12345678901 shipped",
    ]) {
      expect(findPhoneNumbersInText(text), text).toEqual([]);
      expect(findPersonalData(text), text).toEqual([]);
    }
    expect(findPersonalData("tel:+14155550123")).toEqual([
      { kind: "phone", start: 4, end: 16, text: "+14155550123" },
    ]);
  });

  test("finds phones written in full-width or Arabic-Indic digits", () => {
    for (const text of ["call +４４ ２０ ７９４６ ００１８", "call +٤٤ ٢٠ ٧٩٤٦ ٠٠١٨"]) {
      expect(findPersonalData(text), text).toHaveLength(1);
      expect(maskPersonalDataInText(text), text).not.toBe(text);
    }
    expect(findPersonalData("call ０２０ ７９４６ ００１８", { defaultCountry: "GB" })).toHaveLength(1);
  });

  test("masks what it finds as identities are masked", () => {
    expect(maskPersonalDataInText("from Zoe <zoe@example.com>, +44 20 7946 0958")).toBe(
      "from Zoe <z•••@example.com>, +4•••••••0958",
    );
  });

  test("a value personal as a whole keeps only its first character unless it is an email or phone", () => {
    expect(maskWholeValue("zoe@example.com")).toBe("z•••@example.com");
    expect(maskWholeValue("+14155550123")).toBe("+1••••••0123");
    // An SSN looks like digits and dashes but is no phone: none of its digits show.
    expect(maskWholeValue("078-05-1120")).toBe("0•••");
    expect(maskWholeValue("1 Main St")).toBe("1•••");
    expect(maskWholeValue("")).toBe("");
  });
});
