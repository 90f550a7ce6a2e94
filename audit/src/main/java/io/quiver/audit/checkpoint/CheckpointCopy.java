package io.quiver.audit.checkpoint;

/**
 * Keeps a copy of each checkpoint outside the database, so that someone who controls the
 * database cannot rewrite both the chain and its checkpoints.
 */
public interface CheckpointCopy {

	/**
	 * @param checkpoint a checkpoint just signed
	 */
	void copy(Checkpoint checkpoint);

}
