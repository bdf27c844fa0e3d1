import { anyOf, greet } from "./greet";

export function handler(company: string): string {
  return anyOf.includes(company) ? greet(company) : "unknown company";
}
