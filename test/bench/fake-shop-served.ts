// The sync bench's question to its fake shop (fake-shop-server.ts), not Shopify's: how many answers
// it has built and how many it has replayed so far.
export const SERVED_PATH = "/__fake-shop/served";

export interface PagesServed {
  built: number;
  replayed: number;
}
