// One sanitiser for all text xs-upgrade prints or sends that it did not write itself: a step's
// output, an error's message, a reason or host id read from the fleet store. Such text is data:
// it must not move the cursor, clear the screen, set a title or a link (CSI and OSC sequences),
// reorder what a person reads (bidi overrides), or fill a terminal or the journal. Removed: C0
// controls but tab (and newline between lines), DEL, C1 controls (U+0080-U+009F, which some
// terminals take as CSI or OSC on their own), and the bidi embedding, override and isolate marks.

/** A line longer than this is cut, saying so: an error message can be a whole document. */
export const longestLine = 4096;

// An escape sequence whole, where one can be recognised (CSI, OSC up to BEL or ST), then any single
// character of the classes above.
const unsafe =
  /\u001b\[[0-9;?<=>!]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const anyUnsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** `text` without control characters; newlines kept (a block of lines stays a block). */
export function withoutControls(text: string): string {
  return anyUnsafe.test(text) ? text.replace(unsafe, '') : text;
}

/** One line, safe to print or send: no control character, no newline, at most `longestLine`. */
export function sanitizeLine(text: string): string {
  const clean = withoutControls(text).replaceAll('\n', ' ');
  return clean.length > longestLine
    ? `${clean.slice(0, longestLine)}... (${clean.length - longestLine} more characters)`
    : clean;
}
