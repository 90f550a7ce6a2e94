package io.quiver.terraform.hcl;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parses HCL files with HashiCorp's hcl library ({@code @cdktf/hcl2json}, WebAssembly
 * under Node), in one Node process kept for the life of the JVM; bodies are cached by
 * content, so checking many copies of one tree parses only what differs.
 */
public final class HclParser {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	// Parsed bodies by content digest: checks of many copies of one tree parse each
	// distinct file once.
	private static final Map<String, HclFile> BODIES = new ConcurrentHashMap<>();

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
		List<Path> unparsed = new ArrayList<>();
		for (Path file : files) {
			String digest = digest(file);
			digests.put(file, digest);
			if (!BODIES.containsKey(digest)) {
				unparsed.add(file);
			}
		}
		JsonNode result = unparsed.isEmpty() ? JSON.createObjectNode() : run(unparsed);
		Map<Path, HclFile> parsed = new LinkedHashMap<>();
		for (Path file : files) {
			HclFile cached = BODIES.get(digests.get(file));
			JsonNode entry = result.get(file.toAbsolutePath().toString());
			if (cached != null) {
				parsed.put(file, new HclFile(file, cached.body(), null, cached.formatted()));
			}
			else if (entry == null) {
				parsed.put(file, new HclFile(file, null, "the parser returned nothing for this file", false));
			}
			else if (entry.has("error")) {
				parsed.put(file, new HclFile(file, null, entry.get("error").asString(), false));
			}
			else {
				HclFile read = new HclFile(file, entry.get("body"), null, entry.path("formatted").asBoolean());
				BODIES.put(digests.get(file), read);
				parsed.put(file, read);
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

	private JsonNode run(List<Path> files) {
		return server(this.tools)
			.request(JSON.writeValueAsString(files.stream().map((file) -> file.toAbsolutePath().toString()).toList()));
	}

	private static synchronized Server server(NodeTools tools) {
		if (server == null || !server.process().isAlive()) {
			server = Server.start(tools);
		}
		return server;
	}

	// One Node process per JVM: compiling the WebAssembly parser costs about a second, a
	// request milliseconds.
	private static Server server;

	private record Server(Process process, BufferedReader output, Writer input) {

		static Server start(NodeTools tools) {
			ProcessBuilder builder = new ProcessBuilder("node", tools.hcl2jsonScript().toString());
			builder.environment().put("NODE_PATH", tools.nodeModules().toString());
			builder.directory(tools.directory().toFile());
			builder.redirectError(ProcessBuilder.Redirect.INHERIT);
			try {
				Process process = builder.start();
				Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
				return new Server(process,
						new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)),
						new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Could not run node (is Node.js installed?)", ex);
			}
		}

		synchronized JsonNode request(String paths) {
			try {
				this.input.write(paths);
				this.input.write('\n');
				this.input.flush();
				String line = this.output.readLine();
				if (line == null) {
					throw new IllegalStateException("hcl2json.js stopped (exit " + this.process.waitFor() + ")");
				}
				return JSON.readTree(line);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}

	}

}
