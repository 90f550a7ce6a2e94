package io.quiver.terraform.hcl;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the references ({@code var.x}, {@code local.y}, {@code module.m.out},
 * {@code data.t.n}, {@code t.n}) in an expression as hcl2json prints it: a template
 * string whose {@code ${...}} parts are HCL expressions. Literal text outside
 * {@code ${...}} and string literals inside it are not code, so they are skipped; the
 * names that a {@code for} expression binds are reported apart, so a caller can tell them
 * from references.
 */
public final class Expressions {

	// A traversal: a root name, then attributes or literal indexes (a computed index ends
	// it, and is scanned alone).
	private static final Pattern TRAVERSAL = Pattern.compile(
			"(?<![\\w.\\-)\\]\"])([A-Za-z_][\\w-]*)((?:\\s*\\.\\s*(?:[A-Za-z_][\\w-]*|\\*|\\d+)|\\[\\s*(?:\\d+|\"\"|\\*)\\s*\\])*)");

	private static final Pattern FOR_BINDING = Pattern
		.compile("\\bfor\\s+([A-Za-z_][\\w-]*)(?:\\s*,\\s*([A-Za-z_][\\w-]*))?\\s+in\\b");

	private static final Pattern STEP = Pattern.compile("\\.\\s*([A-Za-z_][\\w-]*|\\*|\\d+)");

	private Expressions() {
	}

	/**
	 * The code inside the {@code ${...}} parts of a template, string literals replaced by
	 * {@code ""}.
	 * @param template an hcl2json string value
	 * @return the expression text, parts separated by spaces; empty when the value is a
	 * plain string
	 */
	public static String code(String template) {
		StringBuilder code = new StringBuilder();
		new Scanner(template, code).template(false);
		return code.toString();
	}

	/**
	 * Every traversal in a template, each as its list of names
	 * ({@code module.eks.cluster_name} gives {@code [module, eks, cluster_name]}).
	 * @param template an hcl2json string value
	 * @return the traversals in order of appearance
	 */
	public static List<List<String>> traversals(String template) {
		String code = code(template);
		List<List<String>> traversals = new ArrayList<>();
		Matcher matcher = TRAVERSAL.matcher(code);
		while (matcher.find()) {
			String tail = matcher.group(2);
			if (tail.isEmpty()) {
				continue;
			}
			List<String> names = new ArrayList<>();
			names.add(matcher.group(1));
			Matcher step = STEP.matcher(tail);
			while (step.find()) {
				names.add(step.group(1));
			}
			traversals.add(names);
		}
		return traversals;
	}

	/**
	 * The names {@code for} expressions in a template bind ({@code for k, v in ...}).
	 * @param template an hcl2json string value
	 * @return the bound names
	 */
	public static Set<String> forBindings(String template) {
		Set<String> names = new LinkedHashSet<>();
		Matcher matcher = FOR_BINDING.matcher(code(template));
		while (matcher.find()) {
			names.add(matcher.group(1));
			if (matcher.group(2) != null) {
				names.add(matcher.group(2));
			}
		}
		return names;
	}

	/**
	 * A small state machine over templates, expressions and the string literals nested in
	 * them.
	 */
	private static final class Scanner {

		private final String text;

		private final StringBuilder code;

		private int position;

		Scanner(String text, StringBuilder code) {
			this.text = text;
			this.code = code;
		}

		/**
		 * Template text up to the end, or up to the closing quote when {@code quoted}.
		 */
		void template(boolean quoted) {
			while (this.position < this.text.length()) {
				char c = this.text.charAt(this.position);
				if (quoted && c == '\\') {
					this.position += 2;
				}
				else if (quoted && c == '"') {
					this.position++;
					return;
				}
				else if ((c == '$' || c == '%') && this.text.startsWith(c + "" + c + "{", this.position)) {
					// $${ and %%{ are escapes: literal text
					this.position += 3;
				}
				else if ((c == '$' || c == '%') && this.text.startsWith("{", this.position + 1)) {
					this.position += 2;
					this.code.append(' ');
					expression();
					this.code.append(' ');
				}
				else {
					this.position++;
				}
			}
		}

		/** Expression text up to its closing brace. */
		void expression() {
			int depth = 0;
			while (this.position < this.text.length()) {
				char c = this.text.charAt(this.position);
				if (c == '"') {
					this.position++;
					this.code.append("\"\"");
					template(true);
					continue;
				}
				if (c == '{') {
					depth++;
				}
				else if (c == '}') {
					if (depth == 0) {
						this.position++;
						return;
					}
					depth--;
				}
				this.code.append(c);
				this.position++;
			}
		}

	}

}
