package io.quiver.audit.checkpoint;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import io.quiver.audit.chain.CanonicalJson;
import io.quiver.audit.chain.EventDocuments;

/**
 * A signed statement that a tenant's chain had {@code headHash} at {@code sequence}.
 *
 * @param tenant the chain
 * @param sequence the head's sequence
 * @param headHash hex hash of the event at that sequence
 * @param signedAt when it was signed (milliseconds)
 * @param keyId the signing key
 * @param signature base64 Ed25519 signature of {@link #payload()}
 */
public record Checkpoint(String tenant, long sequence, String headHash, Instant signedAt, String keyId,
		String signature) {

	/**
	 * @return the bytes that are signed: canonical JSON of tenant, sequence, hash, time
	 * and key id
	 */
	public byte[] payload() {
		Map<String, Object> doc = new TreeMap<>();
		doc.put("tenant", this.tenant);
		doc.put("sequence", this.sequence);
		doc.put("hash", this.headHash);
		doc.put("signedAt", EventDocuments.instant(this.signedAt));
		doc.put("keyId", this.keyId);
		return CanonicalJson.write(doc).getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * @return the checkpoint as one JSON document, for copies outside the database
	 */
	public String toJson() {
		Map<String, Object> doc = new TreeMap<>();
		doc.put("tenant", this.tenant);
		doc.put("sequence", this.sequence);
		doc.put("hash", this.headHash);
		doc.put("signedAt", EventDocuments.instant(this.signedAt));
		doc.put("keyId", this.keyId);
		doc.put("algorithm", "Ed25519");
		doc.put("signature", this.signature);
		return CanonicalJson.write(doc);
	}

}
