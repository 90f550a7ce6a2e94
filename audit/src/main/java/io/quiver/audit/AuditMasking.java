package io.quiver.audit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Keeps secrets out of the trail. A text value is masked when its key names a secret
 * ({@code password}, {@code client_secret}, {@code apiKey}, {@code authorization}, ...)
 * or when the value itself looks like one (a {@code qvr_} API key, a bearer or basic
 * credential, a JWT, a PEM block), whatever its key. Numbers and booleans are kept, so
 * {@code total_tokens: 42} survives while {@code refresh_token: "..."} does not.
 * {@link AuditEvent} applies this to its changes and metadata; callers may use it on
 * anything else they log.
 */
public final class AuditMasking {

	/** What a masked value is replaced with. */
	public static final String MASK = "[masked]";

	/** Matched against the key in lower case with {@code _} and {@code -} removed. */
	private static final List<String> SECRET_WORDS = List.of("password", "passwd", "passphrase", "secret", "token",
			"apikey", "privatekey", "authorization", "cookie", "credential", "signingkey", "session");

	private static final Pattern JWT = Pattern.compile("^eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*$");

	private AuditMasking() {
	}

	/**
	 * @param values a map that may hold secrets, nested maps and lists included
	 * @return a copy with every secret text replaced by {@link #MASK}
	 */
	public static Map<String, Object> mask(Map<String, ?> values) {
		if (values == null) {
			return null;
		}
		Map<String, Object> masked = new LinkedHashMap<>();
		values.forEach((key, value) -> masked.put(key, maskEntry(key, value)));
		return masked;
	}

	/**
	 * @param key the name the value is stored under, may be {@code null}
	 * @param value any value
	 * @return {@link #MASK} for a secret text, the value otherwise (containers masked
	 * recursively)
	 */
	public static Object maskEntry(String key, Object value) {
		if (value instanceof Map<?, ?> map) {
			Map<String, Object> masked = new LinkedHashMap<>();
			map.forEach((k, v) -> masked.put(String.valueOf(k), maskEntry(String.valueOf(k), v)));
			return masked;
		}
		if (value instanceof Collection<?> collection) {
			List<Object> masked = new ArrayList<>(collection.size());
			collection.forEach((v) -> masked.add(maskEntry(key, v)));
			return masked;
		}
		if (value instanceof CharSequence text) {
			String string = text.toString();
			if ((key != null && isSecretName(key)) || looksLikeSecret(string)) {
				return MASK;
			}
		}
		return value;
	}

	/**
	 * @param name a field or header name
	 * @return whether values under that name are secrets
	 */
	public static boolean isSecretName(String name) {
		String plain = name.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
		for (String word : SECRET_WORDS) {
			if (plain.contains(word)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * @param value any text
	 * @return whether it has the shape of a credential
	 */
	public static boolean looksLikeSecret(String value) {
		String trimmed = value.strip();
		return trimmed.startsWith("qvr_") || trimmed.regionMatches(true, 0, "bearer ", 0, 7)
				|| trimmed.regionMatches(true, 0, "basic ", 0, 6) || trimmed.startsWith("-----BEGIN")
				|| trimmed.startsWith("sk-") || (trimmed.startsWith("eyJ") && JWT.matcher(trimmed).matches());
	}

}
