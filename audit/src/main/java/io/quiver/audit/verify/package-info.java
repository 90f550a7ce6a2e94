/**
 * Verification: walks a tenant's chain and its signed checkpoints and names the first
 * broken link.
 */
package io.quiver.audit.verify;
