package io.quiver.worker.tokenizer;

/**
 * One message of a chat, as a chat template sees it.
 *
 * @param role {@code system}, {@code user}, {@code assistant} or {@code tool}
 * @param content its text
 */
public record ChatMessage(String role, String content) {
}
