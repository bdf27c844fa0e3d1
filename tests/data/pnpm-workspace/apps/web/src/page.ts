export interface Page {
  title: string;
  path: string;
}

export function render(page: Page): string {
  return `<h1>${page.title}</h1>`;
}
