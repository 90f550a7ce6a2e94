package io.quiver.audit;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Time-ordered ids (RFC 9562 version 7): 48 bits of Unix milliseconds, then random bits,
 * so ids sort by creation time and index well.
 * <p>
 * The random bits need to be unique, not secret: an id grants nothing, and the trail's
 * integrity rests on its hash chain and signed checkpoints. So they come from the
 * thread's own generator rather than a shared {@code SecureRandom}, which every request
 * thread of the gateway would otherwise queue on.
 */
public final class UuidV7 {

	private UuidV7() {
	}

	public static UUID next() {
		return at(System.currentTimeMillis());
	}

	static UUID at(long epochMillis) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		long randomHigh = random.nextLong();
		long randomLow = random.nextLong();
		long msb = (epochMillis << 16) | 0x7000L | (randomHigh & 0x0FFFL);
		long lsb = (randomLow & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
		return new UUID(msb, lsb);
	}

}
