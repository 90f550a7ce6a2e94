package io.quiver.worker.tokenizer;

import java.util.Arrays;

/**
 * Turns a growing list of token ids into text deltas for streaming, never splitting a
 * multi-byte character: it decodes a short window behind the newest token and emits only
 * what the window's text gained (the method of Hugging Face's text-generation-inference).
 */
public final class IncrementalDetokenizer {

	private final TextTokenizer tokenizer;

	private int[] ids = new int[16];

	private int size;

	private int prefixOffset;

	private int readOffset;

	public IncrementalDetokenizer(TextTokenizer tokenizer) {
		this.tokenizer = tokenizer;
	}

	/**
	 * Adds a token.
	 * @param id the token id
	 * @return the text it completes (may be empty while a character is incomplete)
	 */
	public String next(int id) {
		if (this.size == this.ids.length) {
			this.ids = Arrays.copyOf(this.ids, this.size * 2);
		}
		this.ids[this.size++] = id;
		String prefix = this.tokenizer.decode(Arrays.copyOfRange(this.ids, this.prefixOffset, this.readOffset));
		String full = this.tokenizer.decode(Arrays.copyOfRange(this.ids, this.prefixOffset, this.size));
		if (full.length() > prefix.length() && !full.endsWith("\uFFFD")) {
			String delta = full.substring(prefix.length());
			this.prefixOffset = this.readOffset;
			this.readOffset = this.size;
			return delta;
		}
		return "";
	}

	/**
	 * Releases text held back at the end of a sequence, incomplete characters included.
	 * @return the rest of the text
	 */
	public String flush() {
		String prefix = this.tokenizer.decode(Arrays.copyOfRange(this.ids, this.prefixOffset, this.readOffset));
		String full = this.tokenizer.decode(Arrays.copyOfRange(this.ids, this.prefixOffset, this.size));
		this.prefixOffset = this.size;
		this.readOffset = this.size;
		return (full.length() > prefix.length() && full.startsWith(prefix)) ? full.substring(prefix.length()) : "";
	}

}
