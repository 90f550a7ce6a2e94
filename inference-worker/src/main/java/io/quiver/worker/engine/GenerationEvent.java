package io.quiver.worker.engine;

import java.util.List;

/**
 * What the engine tells a request's listener, in order: deltas and finishes per choice,
 * then one {@link Completed}; or one {@link Failed}.
 */
public sealed interface GenerationEvent {

	/**
	 * New text of one choice, and the tokens it came from.
	 *
	 * @param index the choice
	 * @param text the text (may be empty while a stop string is possible, or a character
	 * incomplete)
	 * @param tokens the tokens drawn since the last delta, with log-probabilities, when
	 * they were asked for; else empty
	 * @param drawn how many tokens were drawn since the last delta, asked for or not: a
	 * token whose text is held back (a character incomplete, a possible stop string)
	 * arrives with a later delta, and a choice's deltas add up to every token it drew
	 */
	record Delta(int index, String text, List<TokenInfo> tokens, int drawn) implements GenerationEvent {
	}

	/**
	 * A choice is done.
	 *
	 * @param index the choice
	 * @param reason {@code stop} or {@code length}
	 */
	record Finished(int index, String reason) implements GenerationEvent {
	}

	/**
	 * Every choice is done.
	 *
	 * @param promptTokens tokens in the prompt
	 * @param completionTokens tokens generated over all choices
	 */
	record Completed(int promptTokens, int completionTokens) implements GenerationEvent {
	}

	/**
	 * The request failed.
	 *
	 * @param status the HTTP status that fits
	 * @param type the OpenAI error type
	 * @param code the error code, or null
	 * @param message what went wrong, safe to show a client
	 */
	record Failed(int status, String type, String code, String message) implements GenerationEvent {
	}

	/**
	 * One drawn token.
	 *
	 * @param id its id
	 * @param text its text alone
	 * @param logprob its log-probability, or NaN
	 * @param top the alternatives, most likely first
	 */
	record TokenInfo(int id, String text, double logprob, List<Alternative> top) {
	}

	/**
	 * An alternative token.
	 *
	 * @param id its id
	 * @param text its text
	 * @param logprob its log-probability
	 */
	record Alternative(int id, String text, double logprob) {
	}

}
