package io.quiver.worker.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The weights of a model directory: {@code model.safetensors}, or the shards named by
 * {@code model.safetensors.index.json}; looked up by their Hugging Face names.
 */
public final class ModelWeights implements AutoCloseable {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final List<SafeTensorsFile> files;

	private final Map<String, SafeTensorsFile> byName;

	private ModelWeights(List<SafeTensorsFile> files, Map<String, SafeTensorsFile> byName) {
		this.files = files;
		this.byName = byName;
	}

	/**
	 * Opens the weights of a model directory.
	 * @param modelDir the directory
	 * @return the weights; close to unmap
	 * @throws IOException if no weights are there or a file is malformed
	 */
	public static ModelWeights open(Path modelDir) throws IOException {
		Path single = modelDir.resolve("model.safetensors");
		Path index = modelDir.resolve("model.safetensors.index.json");
		List<SafeTensorsFile> files = new ArrayList<>();
		Map<String, SafeTensorsFile> byName = new HashMap<>();
		try {
			if (Files.isRegularFile(single)) {
				SafeTensorsFile file = SafeTensorsFile.open(single);
				files.add(file);
				file.names().forEach((name) -> byName.put(name, file));
			}
			else if (Files.isRegularFile(index)) {
				JsonNode weightMap = JSON.readTree(index.toFile()).get("weight_map");
				if (weightMap == null) {
					throw new IOException(index + " has no weight_map");
				}
				Map<String, SafeTensorsFile> shards = new LinkedHashMap<>();
				for (Map.Entry<String, JsonNode> entry : weightMap.properties()) {
					String shardName = entry.getValue().asString();
					SafeTensorsFile shard = shards.get(shardName);
					if (shard == null) {
						shard = SafeTensorsFile.open(modelDir.resolve(shardName));
						shards.put(shardName, shard);
						files.add(shard);
					}
					byName.put(entry.getKey(), shard);
				}
			}
			else {
				throw new IOException("no model.safetensors or model.safetensors.index.json in " + modelDir);
			}
		}
		catch (IOException | RuntimeException ex) {
			files.forEach(SafeTensorsFile::close);
			throw ex;
		}
		return new ModelWeights(files, byName);
	}

	public boolean has(String name) {
		return this.byName.containsKey(name);
	}

	/**
	 * Reads a tensor widened to fp32 and checks its shape.
	 * @param name its Hugging Face name
	 * @param shape the shape the model expects
	 * @return its elements, row-major
	 */
	public float[] floats(String name, long... shape) {
		SafeTensorsFile file = this.byName.get(name);
		if (file == null) {
			throw new IllegalArgumentException("missing weight " + name);
		}
		long[] actual = file.info(name).shape();
		if (!java.util.Arrays.equals(actual, shape)) {
			throw new IllegalArgumentException("weight " + name + " has shape " + java.util.Arrays.toString(actual)
					+ ", expected " + java.util.Arrays.toString(shape));
		}
		return file.floats(name);
	}

	@Override
	public void close() {
		this.files.forEach(SafeTensorsFile::close);
	}

}
