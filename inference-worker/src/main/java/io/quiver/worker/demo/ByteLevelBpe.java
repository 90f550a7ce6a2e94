package io.quiver.worker.demo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Trains a small GPT-2 style byte-level BPE vocabulary on a fixed text, so the demo
 * tokenizer has real merges and is the same on every machine.
 */
final class ByteLevelBpe {

	private static final Pattern PRE_TOKENIZE = Pattern
		.compile("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

	private ByteLevelBpe() {
	}

	/**
	 * GPT-2's {@code bytes_to_unicode}: each byte mapped to a printable character.
	 * @return 256 characters indexed by byte value
	 */
	static char[] byteToUnicode() {
		char[] map = new char[256];
		boolean[] direct = new boolean[256];
		for (int b = '!'; b <= '~'; b++) {
			direct[b] = true;
		}
		for (int b = 0xA1; b <= 0xAC; b++) {
			direct[b] = true;
		}
		for (int b = 0xAE; b <= 0xFF; b++) {
			direct[b] = true;
		}
		int n = 0;
		for (int b = 0; b < 256; b++) {
			map[b] = direct[b] ? (char) b : (char) (256 + n++);
		}
		return map;
	}

	/**
	 * Learns up to {@code maxMerges} merges from {@code text}, most frequent pair first,
	 * ties broken by the pair's spelling.
	 * @param text the training text
	 * @param maxMerges an upper bound on the merges to learn
	 * @return the merges in order, each as its two parts
	 */
	static List<String[]> train(String text, int maxMerges) {
		char[] map = byteToUnicode();
		Map<List<String>, Integer> words = new LinkedHashMap<>();
		Matcher matcher = PRE_TOKENIZE.matcher(text);
		while (matcher.find()) {
			byte[] bytes = matcher.group().getBytes(java.nio.charset.StandardCharsets.UTF_8);
			List<String> symbols = new ArrayList<>();
			for (byte b : bytes) {
				symbols.add(String.valueOf(map[b & 0xFF]));
			}
			words.merge(symbols, 1, Integer::sum);
		}
		List<List<String>> wordList = new ArrayList<>();
		List<Integer> counts = new ArrayList<>();
		words.forEach((w, c) -> {
			wordList.add(new ArrayList<>(w));
			counts.add(c);
		});
		List<String[]> merges = new ArrayList<>();
		while (merges.size() < maxMerges) {
			Map<String, Integer> pairCounts = new HashMap<>();
			for (int w = 0; w < wordList.size(); w++) {
				List<String> word = wordList.get(w);
				for (int i = 0; i + 1 < word.size(); i++) {
					pairCounts.merge(word.get(i) + " " + word.get(i + 1), counts.get(w), Integer::sum);
				}
			}
			String best = null;
			int bestCount = 0;
			for (Map.Entry<String, Integer> e : pairCounts.entrySet()) {
				int count = e.getValue();
				if (count >= 2 && (best == null || count > bestCount
						|| (count == bestCount && e.getKey().compareTo(best) < 0))) {
					best = e.getKey();
					bestCount = count;
				}
			}
			if (best == null) {
				break;
			}
			String[] pair = best.split(" ", 2);
			merges.add(pair);
			String joined = pair[0] + pair[1];
			for (List<String> word : wordList) {
				for (int i = 0; i + 1 < word.size(); i++) {
					if (word.get(i).equals(pair[0]) && word.get(i + 1).equals(pair[1])) {
						word.set(i, joined);
						word.remove(i + 1);
					}
				}
			}
		}
		return merges;
	}

}
