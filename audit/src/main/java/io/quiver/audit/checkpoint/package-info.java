/**
 * Ed25519-signed checkpoints of each chain head: the keys (configured, rotated, or a
 * generated development key), the signing job and the optional copy outside the database.
 */
package io.quiver.audit.checkpoint;
