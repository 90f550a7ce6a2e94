package io.quiver.audit.verify;

/**
 * The result of walking one tenant's chain.
 *
 * @param tenant the chain
 * @param valid whether every link, hash and checkpoint held
 * @param eventsChecked events read (up to the first break)
 * @param firstSequence the first stored sequence (above 1 after retention), 0 if none
 * @param lastSequence the last sequence checked, 0 if none
 * @param checkpointsChecked signed checkpoints verified
 * @param brokenLink the first break, {@code null} when valid
 */
public record VerificationReport(String tenant, boolean valid, long eventsChecked, long firstSequence,
		long lastSequence, long checkpointsChecked, BrokenLink brokenLink) {

	/**
	 * The first place where the stored chain disagrees with itself or its checkpoints.
	 *
	 * @param sequence the sequence number where the chain breaks
	 * @param problem what disagrees, in words
	 * @param expectedHash the hash the chain requires there (hex)
	 * @param foundHash the hash stored there (hex), {@code null} if nothing is stored
	 */
	public record BrokenLink(long sequence, String problem, String expectedHash, String foundHash) {

	}

}
