package io.quiver.audit;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Time-ordered ids (RFC 9562 version 7): 48 bits of Unix milliseconds, then random bits,
 * so ids sort by creation time and index well.
 */
public final class UuidV7 {

	private static final SecureRandom random = new SecureRandom();

	private UuidV7() {
	}

	public static UUID next() {
		return at(System.currentTimeMillis());
	}

	static UUID at(long epochMillis) {
		long randomHigh = random.nextLong();
		long randomLow = random.nextLong();
		long msb = (epochMillis << 16) | 0x7000L | (randomHigh & 0x0FFFL);
		long lsb = (randomLow & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
		return new UUID(msb, lsb);
	}

}
