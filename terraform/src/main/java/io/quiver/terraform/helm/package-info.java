/**
 * Rendering the Helm chart with a real Helm binary and checking what it renders.
 */
package io.quiver.terraform.helm;
