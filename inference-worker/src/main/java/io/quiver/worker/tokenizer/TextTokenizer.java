package io.quiver.worker.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A model directory's tokenizer ({@code tokenizer.json}, via DJL's Hugging Face
 * tokenizers) with its chat template and end-of-sequence tokens
 * ({@code tokenizer_config.json}, {@code generation_config.json}).
 */
public final class TextTokenizer implements AutoCloseable {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final HuggingFaceTokenizer tokenizer;

	private final String chatTemplate;

	private final String bosToken;

	private final String eosToken;

	private final Set<Integer> eosTokenIds;

	private final Jinjava jinjava;

	private TextTokenizer(HuggingFaceTokenizer tokenizer, String chatTemplate, String bosToken, String eosToken,
			Set<Integer> eosTokenIds) {
		this.tokenizer = tokenizer;
		this.chatTemplate = chatTemplate;
		this.bosToken = bosToken;
		this.eosToken = eosToken;
		this.eosTokenIds = Set.copyOf(eosTokenIds);
		// transformers renders chat templates with trim_blocks and lstrip_blocks on.
		this.jinjava = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).build());
	}

	/**
	 * Loads the tokenizer of a model directory; nothing is fetched from the network.
	 * @param modelDir the directory
	 * @param modelEosTokenIds {@code eos_token_id} from config.json
	 * @return the tokenizer
	 * @throws IOException if {@code tokenizer.json} is missing or unreadable
	 */
	public static TextTokenizer load(Path modelDir, List<Integer> modelEosTokenIds) throws IOException {
		Path file = modelDir.resolve("tokenizer.json");
		if (!Files.isRegularFile(file)) {
			throw new IOException("no tokenizer.json in " + modelDir);
		}
		Map<String, String> options = new LinkedHashMap<>();
		options.put("addSpecialTokens", "false");
		options.put("truncation", "false");
		options.put("padding", "false");
		options.put("modelMaxLength", String.valueOf(Integer.MAX_VALUE));
		HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(file, options);
		String template = null;
		String bos = "";
		String eos = "";
		Path configFile = modelDir.resolve("tokenizer_config.json");
		if (Files.isRegularFile(configFile)) {
			JsonNode config = JSON.readTree(Files.readString(configFile));
			JsonNode templateNode = config.path("chat_template");
			if (templateNode.isString()) {
				template = templateNode.asString();
			}
			else if (templateNode.isArray()) {
				for (JsonNode named : templateNode) {
					if (named.path("name").asString("").equals("default")) {
						template = named.path("template").asString();
					}
				}
			}
			bos = tokenText(config.path("bos_token"));
			eos = tokenText(config.path("eos_token"));
		}
		Path chatTemplateFile = modelDir.resolve("chat_template.jinja");
		if (template == null && Files.isRegularFile(chatTemplateFile)) {
			template = Files.readString(chatTemplateFile);
		}
		Set<Integer> eosIds = new LinkedHashSet<>(modelEosTokenIds);
		Path generationFile = modelDir.resolve("generation_config.json");
		if (Files.isRegularFile(generationFile)) {
			JsonNode generation = JSON.readTree(Files.readString(generationFile)).path("eos_token_id");
			if (generation.isArray()) {
				generation.forEach((n) -> eosIds.add(n.asInt()));
			}
			else if (generation.isNumber()) {
				eosIds.add(generation.asInt());
			}
		}
		if (!eos.isEmpty()) {
			long[] ids = tokenizer.encode(eos, false, false).getIds();
			if (ids.length == 1) {
				eosIds.add((int) ids[0]);
			}
		}
		return new TextTokenizer(tokenizer, template, bos, eos, eosIds);
	}

	private static String tokenText(JsonNode node) {
		if (node.isString()) {
			return node.asString();
		}
		if (node.isObject()) {
			return node.path("content").asString("");
		}
		return "";
	}

	/**
	 * Encodes text.
	 * @param text the text
	 * @param addSpecialTokens whether the tokenizer's post-processor adds its special
	 * tokens (a BOS, for Llama 3); off for rendered chat templates, which carry their own
	 * @return the token ids
	 */
	public int[] encode(String text, boolean addSpecialTokens) {
		Encoding encoding = this.tokenizer.encode(text, addSpecialTokens, false);
		long[] ids = encoding.getIds();
		int[] out = new int[ids.length];
		for (int i = 0; i < ids.length; i++) {
			out[i] = (int) ids[i];
		}
		return out;
	}

	/**
	 * Decodes token ids, leaving special tokens out.
	 * @param ids the ids
	 * @return the text
	 */
	public String decode(int[] ids) {
		long[] longs = new long[ids.length];
		for (int i = 0; i < ids.length; i++) {
			longs[i] = ids[i];
		}
		return this.tokenizer.decode(longs, true);
	}

	/** Token ids that end a sequence. */
	public Set<Integer> eosTokenIds() {
		return this.eosTokenIds;
	}

	public boolean hasChatTemplate() {
		return this.chatTemplate != null;
	}

	/**
	 * Renders a chat with the model's template, as transformers'
	 * {@code apply_chat_template} does.
	 * @param messages the chat
	 * @param addGenerationPrompt whether to open an assistant turn
	 * @return the prompt text
	 * @throws IllegalStateException if the model has no chat template
	 */
	public String applyChatTemplate(List<ChatMessage> messages, boolean addGenerationPrompt) {
		if (this.chatTemplate == null) {
			throw new IllegalStateException("the model has no chat_template in tokenizer_config.json");
		}
		List<Map<String, Object>> list = new ArrayList<>();
		for (ChatMessage message : messages) {
			Map<String, Object> m = new LinkedHashMap<>();
			m.put("role", message.role());
			m.put("content", message.content());
			list.add(m);
		}
		Map<String, Object> context = new LinkedHashMap<>();
		context.put("messages", list);
		context.put("add_generation_prompt", addGenerationPrompt);
		context.put("bos_token", this.bosToken);
		context.put("eos_token", this.eosToken);
		var result = this.jinjava.renderForResult(this.chatTemplate, context);
		if (!result.getErrors().isEmpty() && result.getOutput().isEmpty()) {
			throw new IllegalStateException("the chat template failed: " + result.getErrors().get(0).getMessage());
		}
		return result.getOutput();
	}

	@Override
	public void close() {
		this.tokenizer.close();
	}

}
