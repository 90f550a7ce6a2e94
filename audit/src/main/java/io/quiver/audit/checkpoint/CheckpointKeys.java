package io.quiver.audit.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ed25519 keys of the trail: one active key that signs new checkpoints, and the
 * public halves of every key whose checkpoints must still verify (rotation: add the new
 * private key, make it active, keep the old public key). Keys are given as PEM or bare
 * base64 (PKCS#8 for private, X.509 SubjectPublicKeyInfo for public).
 */
public final class CheckpointKeys {

	private static final Logger log = LoggerFactory.getLogger(CheckpointKeys.class);

	private static final String ALGORITHM = "Ed25519";

	private final String activeKeyId;

	private final PrivateKey activeKey;

	private final Map<String, PublicKey> publicKeys;

	public CheckpointKeys(String activeKeyId, PrivateKey activeKey, Map<String, PublicKey> publicKeys) {
		this.activeKeyId = activeKeyId;
		this.activeKey = activeKey;
		this.publicKeys = Map.copyOf(publicKeys);
		if (activeKey != null && !publicKeys.containsKey(activeKeyId)) {
			throw new IllegalArgumentException("No public key for the active key " + activeKeyId);
		}
	}

	/**
	 * @param activeKeyId the id of the key that signs; may be {@code null} when exactly
	 * one private key is configured
	 * @param privateKeys id to private key text
	 * @param publicKeys id to public key text, for retired keys
	 * @param devKeyFile where a development key is kept when no private key is configured
	 * @return the keys
	 */
	public static CheckpointKeys fromConfiguration(String activeKeyId, Map<String, String> privateKeys,
			Map<String, String> publicKeys, Path devKeyFile) {
		Map<String, PublicKey> verifying = new LinkedHashMap<>();
		publicKeys.forEach((id, text) -> verifying.put(id, publicKey(text)));
		if (privateKeys.isEmpty()) {
			KeyPair dev = devKey(devKeyFile);
			String id = keyId(dev.getPublic());
			verifying.put(id, dev.getPublic());
			log.warn("""

					*****************************************************************************
					* AUDIT CHECKPOINTS ARE SIGNED WITH A GENERATED DEVELOPMENT KEY ({})
					* kept in {}. Configure quiver.audit.signing.private-keys and
					* quiver.audit.signing.active-key-id before this trail is evidence.
					*****************************************************************************""", id,
					devKeyFile.toAbsolutePath());
			return new CheckpointKeys(id, dev.getPrivate(), verifying);
		}
		String active = activeKeyId;
		if (active == null || active.isBlank()) {
			if (privateKeys.size() != 1) {
				throw new IllegalArgumentException(
						"Several audit signing keys are configured; set quiver.audit.signing.active-key-id");
			}
			active = privateKeys.keySet().iterator().next();
		}
		PrivateKey activeKey = null;
		for (Map.Entry<String, String> entry : privateKeys.entrySet()) {
			PrivateKey key = privateKey(entry.getValue());
			verifying.put(entry.getKey(), derivePublicKey(key));
			if (entry.getKey().equals(active)) {
				activeKey = key;
			}
		}
		if (activeKey == null) {
			throw new IllegalArgumentException("quiver.audit.signing.active-key-id names no configured key: " + active);
		}
		return new CheckpointKeys(active, activeKey, verifying);
	}

	public String activeKeyId() {
		return this.activeKeyId;
	}

	/**
	 * @return every key id and public key that checkpoints may be verified with
	 */
	public Map<String, PublicKey> publicKeys() {
		return this.publicKeys;
	}

	/**
	 * @return the keys as published: id, algorithm, base64 X.509 public key, active
	 */
	public List<PublishedKey> published() {
		return this.publicKeys.entrySet()
			.stream()
			.map((entry) -> new PublishedKey(entry.getKey(), ALGORITHM,
					Base64.getEncoder().encodeToString(entry.getValue().getEncoded()),
					entry.getKey().equals(this.activeKeyId)))
			.sorted((a, b) -> a.keyId().compareTo(b.keyId()))
			.toList();
	}

	/**
	 * @param payload what to sign
	 * @return the Ed25519 signature by the active key
	 */
	public byte[] sign(byte[] payload) {
		if (this.activeKey == null) {
			throw new IllegalStateException("No audit signing key is configured");
		}
		try {
			Signature signature = Signature.getInstance(ALGORITHM);
			signature.initSign(this.activeKey);
			signature.update(payload);
			return signature.sign();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Could not sign an audit checkpoint", ex);
		}
	}

	/**
	 * @param keyId the signer's key id
	 * @param payload what was signed
	 * @param signature the signature
	 * @return whether a known key made this signature over this payload
	 */
	public boolean verify(String keyId, byte[] payload, byte[] signature) {
		PublicKey key = this.publicKeys.get(keyId);
		if (key == null) {
			return false;
		}
		try {
			Signature verifier = Signature.getInstance(ALGORITHM);
			verifier.initVerify(key);
			verifier.update(payload);
			return verifier.verify(signature);
		}
		catch (GeneralSecurityException ex) {
			return false;
		}
	}

	/**
	 * @param key a public key
	 * @return a stable id for it: {@code dev-} and 12 hex digits of its SHA-256
	 */
	static String keyId(PublicKey key) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
			return "dev-" + HexFormat.of().formatHex(digest, 0, 6);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public static PublicKey publicKey(String text) {
		try {
			return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der(text)));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalArgumentException("Not an Ed25519 public key (X.509, PEM or base64)", ex);
		}
	}

	public static PrivateKey privateKey(String text) {
		try {
			return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der(text)));
		}
		catch (GeneralSecurityException ex) {
			// Never echo the text: it is a secret.
			throw new IllegalArgumentException("Not an Ed25519 private key (PKCS#8, PEM or base64)", ex);
		}
	}

	/**
	 * Ed25519 key pairs are a function of the 32-byte seed, so generating with a "random"
	 * source that returns the seed gives back the public half.
	 */
	static PublicKey derivePublicKey(PrivateKey key) {
		byte[] seed = ((EdECPrivateKey) key).getBytes()
			.orElseThrow(() -> new IllegalArgumentException("Ed25519 private key without its seed"));
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
			generator.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
				@Override
				public void nextBytes(byte[] bytes) {
					System.arraycopy(seed, 0, bytes, 0, bytes.length);
				}
			});
			return generator.generateKeyPair().getPublic();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * @param key a private key
	 * @return it as PKCS#8 PEM
	 */
	public static String pem(PrivateKey key) {
		return "-----BEGIN PRIVATE KEY-----\n"
				+ Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
				+ "\n-----END PRIVATE KEY-----\n";
	}

	/**
	 * @return a new Ed25519 key pair
	 */
	public static KeyPair generate() {
		try {
			return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static KeyPair devKey(Path file) {
		try {
			if (Files.exists(file)) {
				PrivateKey key = privateKey(Files.readString(file));
				return new KeyPair(derivePublicKey(key), key);
			}
			KeyPair pair = generate();
			Files.createDirectories(file.toAbsolutePath().getParent());
			Files.writeString(file, pem(pair.getPrivate()));
			try {
				Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
			}
			catch (UnsupportedOperationException ex) {
				// Not a POSIX file system; the file keeps its default permissions.
			}
			return pair;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot keep the development audit signing key in " + file, ex);
		}
	}

	private static byte[] der(String text) {
		String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
		return Base64.getDecoder().decode(body);
	}

	/**
	 * A key as {@code GET /admin/v1/audit/public-keys} shows it.
	 *
	 * @param keyId the id checkpoints name
	 * @param algorithm always {@code Ed25519}
	 * @param publicKey base64 of the X.509 SubjectPublicKeyInfo
	 * @param active whether it signs new checkpoints
	 */
	public record PublishedKey(String keyId, String algorithm, String publicKey, boolean active) {

	}

}
