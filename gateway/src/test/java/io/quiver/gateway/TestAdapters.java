package io.quiver.gateway;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fixtures: the files of a tiny PEFT LoRA adapter.
 */
public final class TestAdapters {

	private TestAdapters() {
	}

	/**
	 * @param rank {@code r}
	 * @param baseModel {@code base_model_name_or_path}
	 * @return an {@code adapter_config.json}
	 */
	public static byte[] config(int rank, String baseModel) {
		return ("{\"peft_type\":\"LORA\",\"r\":" + rank + ",\"lora_alpha\":" + (2 * rank)
				+ ",\"target_modules\":[\"q_proj\"],\"base_model_name_or_path\":\"" + baseModel + "\"}")
			.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * @param rank the rank of the tensors
	 * @param inFeatures q_proj's input features (lora_A is [rank, in])
	 * @param outFeatures q_proj's output features (lora_B is [out, rank])
	 * @return an {@code adapter_model.safetensors} with zero weights in F32
	 */
	public static byte[] weights(int rank, int inFeatures, int outFeatures) {
		String prefix = "base_model.model.model.layers.0.self_attn.q_proj.";
		Map<String, int[]> tensors = new LinkedHashMap<>();
		tensors.put(prefix + "lora_A.weight", new int[] { rank, inFeatures });
		tensors.put(prefix + "lora_B.weight", new int[] { outFeatures, rank });
		StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
		long offset = 0;
		for (Map.Entry<String, int[]> tensor : tensors.entrySet()) {
			long bytes = 4L * tensor.getValue()[0] * tensor.getValue()[1];
			header.append(",\"")
				.append(tensor.getKey())
				.append("\":{\"dtype\":\"F32\",\"shape\":[")
				.append(tensor.getValue()[0])
				.append(',')
				.append(tensor.getValue()[1])
				.append("],\"data_offsets\":[")
				.append(offset)
				.append(',')
				.append(offset + bytes)
				.append("]}");
			offset += bytes;
		}
		header.append('}');
		byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
		out.writeBytes(json);
		out.writeBytes(new byte[(int) offset]);
		return out.toByteArray();
	}

	/**
	 * @param parts part name to (file name, bytes)
	 * @param boundary the multipart boundary
	 * @return a multipart/form-data body
	 */
	public static byte[] multipart(Map<String, byte[]> parts, String boundary) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (Map.Entry<String, byte[]> part : parts.entrySet()) {
			out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + part.getKey()
					+ "\"; filename=\"" + part.getKey() + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
				.getBytes(StandardCharsets.UTF_8));
			out.writeBytes(part.getValue());
			out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
		}
		out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
		return out.toByteArray();
	}

	/**
	 * Uploads an adapter's two files through the admin API.
	 * @param port the gateway's port
	 * @param tenant the tenant's slug
	 * @param secret an API key with {@code adapters:write}
	 * @param name the adapter's name
	 * @param config the {@code adapter_config.json}
	 * @param weights the {@code adapter_model.safetensors}
	 * @return the response
	 */
	public static HttpResponse<String> upload(int port, String tenant, String secret, String name, byte[] config,
			byte[] weights) {
		String boundary = "quiver-test-boundary";
		Map<String, byte[]> parts = new LinkedHashMap<>();
		parts.put("adapter_config", config);
		parts.put("adapter_model", weights);
		return new TestHttp(port).send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/v1/tenants/" + tenant + "/adapters/"
					+ name.replace(" ", "%20") + "/versions"))
			.header("Authorization", "Bearer " + secret)
			.header("Content-Type", "multipart/form-data; boundary=" + boundary)
			.POST(HttpRequest.BodyPublishers.ofByteArray(multipart(parts, boundary)))
			.build());
	}

}
