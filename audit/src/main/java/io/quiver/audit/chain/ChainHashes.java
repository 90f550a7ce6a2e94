package io.quiver.audit.chain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * {@code hash = SHA-256(prev_hash || canonical JSON)}; the first event of a chain links
 * to {@link #GENESIS}, 32 zero bytes.
 */
public final class ChainHashes {

	/** The previous hash of every chain's first event. */
	public static final byte[] GENESIS = new byte[32];

	private static final HexFormat hex = HexFormat.of();

	/** Looking a digest up per event costs more than hashing a small event. */
	private static final ThreadLocal<MessageDigest> digests = ThreadLocal.withInitial(ChainHashes::sha256);

	private ChainHashes() {
	}

	/**
	 * @param prevHash the previous event's hash
	 * @param chainedDocument the event's document with sequence and recorded time
	 * @return the event's hash
	 */
	public static byte[] hash(byte[] prevHash, Map<String, Object> chainedDocument) {
		MessageDigest sha256 = digests.get();
		sha256.reset();
		sha256.update(prevHash);
		sha256.update(CanonicalJson.write(chainedDocument).getBytes(StandardCharsets.UTF_8));
		return sha256.digest();
	}

	public static String hex(byte[] bytes) {
		return (bytes != null) ? hex.formatHex(bytes) : null;
	}

	public static byte[] unhex(String text) {
		return hex.parseHex(text);
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("Every Java runtime has SHA-256", ex);
		}
	}

}
