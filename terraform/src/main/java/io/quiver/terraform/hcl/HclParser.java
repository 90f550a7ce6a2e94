package io.quiver.terraform.hcl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parses HCL files with HashiCorp's hcl library ({@code @cdktf/hcl2json}, WebAssembly
 * under Node): one Node process for a whole batch of files, so a full check of the tree
 * costs about a second.
 */
public final class HclParser {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final NodeTools tools;

	public HclParser(NodeTools tools) {
		this.tools = tools;
	}

	/**
	 * Parses each file; a file that does not parse comes back with its diagnostic instead
	 * of a body.
	 * @param files the files to parse
	 * @return one result per file, in the order given
	 */
	public Map<Path, HclFile> parse(List<Path> files) {
		Map<Path, HclFile> parsed = new LinkedHashMap<>();
		if (files.isEmpty()) {
			return parsed;
		}
		StringBuilder input = new StringBuilder();
		files.forEach((file) -> input.append(file.toAbsolutePath()).append('\n'));
		JsonNode result = run(input.toString());
		for (Path file : files) {
			JsonNode entry = result.get(file.toAbsolutePath().toString());
			if (entry == null) {
				parsed.put(file, new HclFile(file, null, "the parser returned nothing for this file"));
			}
			else if (entry.has("error")) {
				parsed.put(file, new HclFile(file, null, entry.get("error").asString()));
			}
			else {
				parsed.put(file, new HclFile(file, entry.get("body"), null));
			}
		}
		return parsed;
	}

	private JsonNode run(String input) {
		ProcessBuilder builder = new ProcessBuilder("node", this.tools.hcl2jsonScript().toString());
		builder.environment().put("NODE_PATH", this.tools.nodeModules().toString());
		builder.directory(this.tools.directory().toFile());
		builder.redirectError(ProcessBuilder.Redirect.INHERIT);
		try {
			Process process = builder.start();
			process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
			process.getOutputStream().close();
			byte[] output = process.getInputStream().readAllBytes();
			if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
				throw new IllegalStateException("hcl2json.js failed (exit " + process.exitValue() + ")");
			}
			return JSON.readTree(output);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not run node (is Node.js installed?)", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
