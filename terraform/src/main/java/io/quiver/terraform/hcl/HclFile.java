package io.quiver.terraform.hcl;

import java.nio.file.Path;

import tools.jackson.databind.JsonNode;

/**
 * One parsed HCL file: its body in hcl2json's shape (blocks as lists of objects,
 * expressions as {@code "${...}"} strings), or the parser's diagnostic.
 *
 * @param path the file
 * @param body the parsed body, {@code null} when it did not parse
 * @param error the parser's diagnostic, {@code null} when it parsed
 * @param formatted whether hclwrite (what {@code terraform fmt} runs) would leave the
 * file as it is
 */
public record HclFile(Path path, JsonNode body, String error, boolean formatted) {

	public boolean parsed() {
		return this.error == null;
	}

}
