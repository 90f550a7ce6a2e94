package io.quiver.terraform.hcl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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

	// Parsed bodies by content digest: checks of many copies of one tree parse each
	// distinct file once.
	private static final Map<String, JsonNode> BODIES = new ConcurrentHashMap<>();

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
		Map<Path, String> digests = new LinkedHashMap<>();
		StringBuilder input = new StringBuilder();
		for (Path file : files) {
			String digest = digest(file);
			digests.put(file, digest);
			if (!BODIES.containsKey(digest)) {
				input.append(file.toAbsolutePath()).append('\n');
			}
		}
		JsonNode result = input.isEmpty() ? JSON.createObjectNode() : run(input.toString());
		Map<Path, HclFile> parsed = new LinkedHashMap<>();
		for (Path file : files) {
			JsonNode cached = BODIES.get(digests.get(file));
			JsonNode entry = result.get(file.toAbsolutePath().toString());
			if (cached != null) {
				parsed.put(file, new HclFile(file, cached, null));
			}
			else if (entry == null) {
				parsed.put(file, new HclFile(file, null, "the parser returned nothing for this file"));
			}
			else if (entry.has("error")) {
				parsed.put(file, new HclFile(file, null, entry.get("error").asString()));
			}
			else {
				BODIES.put(digests.get(file), entry.get("body"));
				parsed.put(file, new HclFile(file, entry.get("body"), null));
			}
		}
		return parsed;
	}

	private static String digest(Path file) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
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
