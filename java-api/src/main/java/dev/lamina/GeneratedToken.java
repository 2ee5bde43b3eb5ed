package dev.lamina;

/**
 * One generated token.
 *
 * @param id   the token id
 * @param text the text this token completes: the UTF-8 decoder never splits a character, so a token
 *             holding only the first bytes of a multi-byte character has text "" and the token that
 *             completes it carries the whole character
 */
public record GeneratedToken(int id, String text) {
}
