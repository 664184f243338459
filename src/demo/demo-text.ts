// The words of the demo dataset: names, and messages written the way real customers write them,
// grouped by the customer's mood. Sentiment values are the demo's own labels, from -1 to 1.

export const FIRST_NAMES = [
  "Ava",
  "Ben",
  "Chloé",
  "Daniel",
  "Elif",
  "Farah",
  "George",
  "Hana",
  "Ivan",
  "Julia",
  "Kofi",
  "Lena",
  "Mateo",
  "Nadia",
  "Omar",
  "Priya",
  "Quentin",
  "Rosa",
  "Sam",
  "Tariq",
  "Uma",
  "Victor",
  "Wen",
  "Ximena",
  "Yusuf",
  "Zoe",
  "Lucas",
  "Mia",
  "Noah",
  "Sofia",
] as const;

export const LAST_NAMES = [
  "Anderson",
  "Brown",
  "Chen",
  "Dubois",
  "Evans",
  "Fischer",
  "García",
  "Hughes",
  "Ibrahim",
  "Jensen",
  "Kowalski",
  "López",
  "Müller",
  "Nguyen",
  "O'Brien",
  "Patel",
  "Rossi",
  "Silva",
  "Tanaka",
  "Walker",
] as const;

export const GENRES = [
  "rock",
  "jazz",
  "classical",
  "hip-hop",
  "country",
  "electronic",
  "soul",
  "pop",
] as const;

interface EmailTemplate {
  subject: string;
  body: string;
  reply: string;
  sentiment: number;
}

export const INBOUND_EMAILS: Record<"happy" | "neutral" | "unhappy", EmailTemplate[]> = {
  happy: [
    {
      subject: "Thanks, arrived early!",
      body: "Hi! My {cds} CD order arrived two days early and well packed. Thank you, I'll be back.",
      reply: "Thank you for letting us know — enjoy the music!",
      sentiment: 0.8,
    },
    {
      subject: "Gift wrapping for my next order?",
      body: "Loved my last order. Can you gift-wrap the next one? It's a birthday present.",
      reply: "Yes, choose 'gift wrap' at checkout and add a note for the card.",
      sentiment: 0.5,
    },
  ],
  neutral: [
    {
      subject: "Question about a pre-order",
      body: "When does the pre-order I placed ship? I ordered {cds} CDs and one is not out yet.",
      reply: "Pre-orders ship together on release day; you'll get a tracking email then.",
      sentiment: 0.0,
    },
    {
      subject: "Change my delivery address",
      body: "I moved last week. Can you update the address on my account before my next order?",
      reply: "Done: your account now has the new address.",
      sentiment: 0.1,
    },
  ],
  unhappy: [
    {
      subject: "Where is my order?",
      body: "I ordered {cds} CDs more than a week ago and nothing has arrived. This is frustrating. Please check.",
      reply: "We're sorry for the wait. The parcel was delayed at the depot; it will arrive within two days.",
      sentiment: -0.6,
    },
    {
      subject: "Wrong CD in my package",
      body: "The package had the wrong album and one case was cracked. I'm disappointed, I expected better.",
      reply: "Our apologies. A replacement is on its way and you don't need to return the wrong one.",
      sentiment: -0.7,
    },
    {
      subject: "Please close my account",
      body: "Prices went up and delivery keeps being late. I'd like to close my account.",
      reply: "We're sorry to see you go. Before we close it, may we offer free shipping for a year?",
      sentiment: -0.8,
    },
  ],
};

export const SOCIAL_POSTS: Record<
  "happy" | "neutral" | "unhappy",
  Array<{ text: string; sentiment: number }>
> = {
  happy: [
    { text: "New CDs from @cdnow_demo arrived today and they sound amazing 🎶", sentiment: 0.8 },
    { text: "@cdnow_demo has the best jazz back catalogue, found three rare albums", sentiment: 0.7 },
  ],
  neutral: [
    { text: "Anyone else ordering from @cdnow_demo lately? How's shipping?", sentiment: 0.0 },
    { text: "@cdnow_demo do you stock vinyl too, or only CDs?", sentiment: 0.0 },
  ],
  unhappy: [
    { text: "@cdnow_demo three weeks and still no delivery. Not impressed.", sentiment: -0.7 },
    { text: "Cracked case again from @cdnow_demo. Second time this year.", sentiment: -0.6 },
  ],
};

export const SURVEY_COMMENTS: Record<"happy" | "neutral" | "unhappy", string[]> = {
  happy: [
    "Fast delivery and great selection.",
    "Always find what I'm looking for.",
    "Love the recommendations.",
  ],
  neutral: ["Fine, but shipping could be faster.", "Good prices, website is a bit slow."],
  unhappy: ["Late again.", "Support took days to answer.", "Too expensive for what it is."],
};
