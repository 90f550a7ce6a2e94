/**
 * Parsing HCL with HashiCorp's own parser (run under Node) and reading the parsed
 * modules.
 */
package io.quiver.terraform.hcl;
