package io.quiver.worker.api;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.http.HttpServletResponse;

import io.quiver.worker.engine.GenerationEvent;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * Turns a call's events into an OpenAI response, whole or streamed as server-sent events,
 * in the chat ({@code chat.completion}) or text ({@code text_completion}) dialect.
 */
final class Responder {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final boolean chat;

	private final String id;

	private final String model;

	private final long created = System.currentTimeMillis() / 1000;

	private final boolean logprobs;

	Responder(boolean chat, String id, String model, boolean logprobs) {
		this.chat = chat;
		this.id = id;
		this.model = model;
		this.logprobs = logprobs;
	}

	/**
	 * Waits for every event and answers one JSON body.
	 */
	ResponseEntity<String> whole(GenerationCall call, int n) {
		StringBuilder[] texts = new StringBuilder[n];
		String[] reasons = new String[n];
		List<List<GenerationEvent.TokenInfo>> tokens = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			texts[i] = new StringBuilder();
			tokens.add(new ArrayList<>());
		}
		while (true) {
			GenerationEvent event = call.next();
			switch (event) {
				case GenerationEvent.Delta d -> {
					texts[d.index()].append(d.text());
					tokens.get(d.index()).addAll(d.tokens());
				}
				case GenerationEvent.Finished f -> reasons[f.index()] = f.reason();
				case GenerationEvent.Failed f ->
					throw new OpenAiException(f.status(), f.type(), null, f.code(), f.message());
				case GenerationEvent.Completed c -> {
					ObjectNode root = header(this.chat ? "chat.completion" : "text_completion");
					ArrayNode choices = root.putArray("choices");
					for (int i = 0; i < n; i++) {
						ObjectNode choice = choices.addObject();
						choice.put("index", i);
						if (this.chat) {
							ObjectNode message = choice.putObject("message");
							message.put("role", "assistant");
							message.put("content", texts[i].toString());
						}
						else {
							choice.put("text", texts[i].toString());
						}
						putLogprobs(choice, tokens.get(i), 0);
						choice.put("finish_reason", reasons[i]);
					}
					usage(root, c);
					return ResponseEntity.ok()
						.contentType(MediaType.APPLICATION_JSON)
						.body(JSON.writeValueAsString(root));
				}
			}
		}
	}

	/**
	 * Streams the events as server-sent events; a failure before the first byte answers
	 * an error status, a failure later is the last event.
	 */
	void stream(GenerationCall call, int n, boolean includeUsage, HttpServletResponse response) throws IOException {
		GenerationEvent first = call.next();
		if (first instanceof GenerationEvent.Failed f) {
			GenerationCall.sendError(response, null, f);
			return;
		}
		OutputStream out;
		try {
			out = GenerationCall.openStream(response);
			if (this.chat) {
				for (int i = 0; i < n; i++) {
					ObjectNode delta = JSON.createObjectNode();
					delta.put("role", "assistant");
					delta.put("content", "");
					GenerationCall.send(out, chunk(i, delta, null, List.of(), 0));
				}
			}
		}
		catch (IOException ex) {
			call.cancel();
			return;
		}
		int[] offsets = new int[n];
		GenerationEvent event = first;
		try {
			while (true) {
				switch (event) {
					case GenerationEvent.Delta d -> {
						ObjectNode delta = JSON.createObjectNode();
						delta.put("content", d.text());
						GenerationCall.send(out, chunk(d.index(), delta, null, d.tokens(), offsets[d.index()]));
						offsets[d.index()] += d.text().length();
					}
					case GenerationEvent.Finished f ->
						GenerationCall.send(out, chunk(f.index(), JSON.createObjectNode(), f.reason(), List.of(), 0));
					case GenerationEvent.Failed f -> {
						GenerationCall.sendError(response, out, f);
						return;
					}
					case GenerationEvent.Completed c -> {
						if (includeUsage) {
							ObjectNode root = header(this.chat ? "chat.completion.chunk" : "text_completion");
							root.putArray("choices");
							usage(root, c);
							GenerationCall.send(out, JSON.writeValueAsString(root));
						}
						out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
						out.flush();
						return;
					}
				}
				event = call.next();
			}
		}
		catch (IOException ex) {
			call.cancel();
		}
	}

	private String chunk(int index, ObjectNode delta, String finishReason, List<GenerationEvent.TokenInfo> tokens,
			int textOffset) {
		ObjectNode root = header(this.chat ? "chat.completion.chunk" : "text_completion");
		ObjectNode choice = root.putArray("choices").addObject();
		choice.put("index", index);
		if (this.chat) {
			choice.set("delta", delta);
		}
		else {
			choice.put("text", delta.path("content").asString(""));
		}
		putLogprobs(choice, tokens, textOffset);
		choice.put("finish_reason", finishReason);
		return JSON.writeValueAsString(root);
	}

	private void putLogprobs(ObjectNode choice, List<GenerationEvent.TokenInfo> tokens, int textOffset) {
		if (!this.logprobs || tokens.isEmpty()) {
			choice.putNull("logprobs");
			return;
		}
		if (this.chat) {
			ArrayNode content = choice.putObject("logprobs").putArray("content");
			for (GenerationEvent.TokenInfo t : tokens) {
				ObjectNode entry = content.addObject();
				entry.put("token", t.text());
				entry.put("logprob", t.logprob());
				bytes(entry, t.text());
				ArrayNode top = entry.putArray("top_logprobs");
				for (GenerationEvent.Alternative a : t.top()) {
					ObjectNode alt = top.addObject();
					alt.put("token", a.text());
					alt.put("logprob", a.logprob());
					bytes(alt, a.text());
				}
			}
		}
		else {
			ObjectNode lp = choice.putObject("logprobs");
			ArrayNode toks = lp.putArray("tokens");
			ArrayNode tokenLogprobs = lp.putArray("token_logprobs");
			ArrayNode top = lp.putArray("top_logprobs");
			ArrayNode offsets = lp.putArray("text_offset");
			int offset = textOffset;
			for (GenerationEvent.TokenInfo t : tokens) {
				toks.add(t.text());
				tokenLogprobs.add(t.logprob());
				ObjectNode alternatives = top.addObject();
				for (GenerationEvent.Alternative a : t.top()) {
					alternatives.put(a.text(), a.logprob());
				}
				offsets.add(offset);
				offset += t.text().length();
			}
		}
	}

	private static void bytes(ObjectNode node, String text) {
		ArrayNode bytes = node.putArray("bytes");
		for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
			bytes.add(b & 0xFF);
		}
	}

	private ObjectNode header(String object) {
		ObjectNode root = JSON.createObjectNode();
		root.put("id", this.id);
		root.put("object", object);
		root.put("created", this.created);
		root.put("model", this.model);
		return root;
	}

	private static void usage(ObjectNode root, GenerationEvent.Completed c) {
		ObjectNode usage = root.putObject("usage");
		usage.put("prompt_tokens", c.promptTokens());
		usage.put("completion_tokens", c.completionTokens());
		usage.put("total_tokens", c.promptTokens() + c.completionTokens());
	}

}
