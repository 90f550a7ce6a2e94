/**
 * The Terraform checks: parsing, references, pinning, variables, output parity and module
 * layout.
 */
package io.quiver.terraform.check;
