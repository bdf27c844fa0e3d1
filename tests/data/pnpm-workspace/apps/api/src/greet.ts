// Greets a company by name. Accepts "any" company; `anyOf` below is just a name.
export const anyOf: readonly string[] = ["acme", "globex"];

export function greet(company: string): string {
  const message = `Hello, ${company}! Ask us anything.`;
  return message;
}
