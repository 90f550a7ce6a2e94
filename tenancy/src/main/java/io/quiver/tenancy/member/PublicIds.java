package io.quiver.tenancy.member;

import java.security.SecureRandom;

/**
 * Random, non-secret handles for objects shown in URLs. They are random rather than
 * sequential so that one tenant cannot learn anything about another by counting.
 */
public final class PublicIds {

	private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		.toCharArray();

	private static final SecureRandom RANDOM = new SecureRandom();

	private PublicIds() {
	}

	/**
	 * @return 16 random base62 characters
	 */
	public static String random() {
		StringBuilder id = new StringBuilder(16);
		for (int i = 0; i < 16; i++) {
			id.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
		}
		return id.toString();
	}

}
