/**
 * Static checks of the deployment code under {@code terraform/}, run in the test suite
 * without a terraform binary.
 */
package io.quiver.terraform;
