package io.quiver.tenancy.apikey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.zip.CRC32;

/**
 * The format of an API key secret: {@code qvr_} + 43 base62 characters (256 random bits)
 * + 6 base62 characters of CRC-32 checksum over everything before it.
 *
 * <p>
 * The typed prefix lets secret scanners (and people) recognise a leaked key; the checksum
 * lets the gateway reject a mistyped or made-up key without a database lookup.
 */
public final class ApiKeySecret {

	/** The prefix every Quiver API key starts with. */
	public static final String PREFIX = "qvr_";

	private static final int BODY_LENGTH = 43;

	private static final int CHECKSUM_LENGTH = 6;

	/** Total length of a well-formed secret. */
	public static final int LENGTH = PREFIX.length() + BODY_LENGTH + CHECKSUM_LENGTH;

	private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		.toCharArray();

	private static final SecureRandom RANDOM = new SecureRandom();

	private ApiKeySecret() {
	}

	/**
	 * @return a new random secret
	 */
	public static String generate() {
		StringBuilder secret = new StringBuilder(LENGTH).append(PREFIX);
		for (int i = 0; i < BODY_LENGTH; i++) {
			secret.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
		}
		return secret.append(checksum(secret)).toString();
	}

	/**
	 * @param candidate anything a caller presented
	 * @return whether it has the shape and a valid checksum of a Quiver API key
	 */
	public static boolean isWellFormed(String candidate) {
		if (candidate == null || candidate.length() != LENGTH || !candidate.startsWith(PREFIX)) {
			return false;
		}
		for (int i = PREFIX.length(); i < LENGTH; i++) {
			char c = candidate.charAt(i);
			if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
				return false;
			}
		}
		CharSequence head = candidate.subSequence(0, LENGTH - CHECKSUM_LENGTH);
		return checksum(head).contentEquals(candidate.subSequence(LENGTH - CHECKSUM_LENGTH, LENGTH));
	}

	/**
	 * @param secret a well-formed secret
	 * @return its SHA-256, the only form in which it is stored
	 */
	public static byte[] hash(String secret) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * @param secret a well-formed secret
	 * @return the part that may be shown again (prefix and 4 characters)
	 */
	public static String displayPrefix(String secret) {
		return secret.substring(0, PREFIX.length() + 4);
	}

	/**
	 * @return a new public id such as {@code key_1a2B3c4D5e6F} (not secret)
	 */
	static String newPublicId() {
		StringBuilder id = new StringBuilder("key_");
		for (int i = 0; i < 16; i++) {
			id.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
		}
		return id.toString();
	}

	private static String checksum(CharSequence head) {
		CRC32 crc = new CRC32();
		for (int i = 0; i < head.length(); i++) {
			crc.update(head.charAt(i));
		}
		long value = crc.getValue();
		char[] out = new char[CHECKSUM_LENGTH];
		for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
			out[i] = ALPHABET[(int) (value % ALPHABET.length)];
			value /= ALPHABET.length;
		}
		return new String(out);
	}

}
