package io.quiver.audit.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.LoggerFactory;

/**
 * What the commands share: {@code --name value} options, the database connection
 * ({@code --db-url} or {@code QUIVER_DB_URL}, {@code --db-user} or
 * {@code QUIVER_DB_USER}, password from {@code QUIVER_DB_PASSWORD} only, so that it never
 * shows in a process list) and quiet logging.
 */
final class CommandLine {

	static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";

	private final Map<String, String> options = new HashMap<>();

	private final List<String> positional = new java.util.ArrayList<>();

	CommandLine(String[] args) {
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			if (arg.startsWith("--")) {
				String name = arg.substring(2);
				int equals = name.indexOf('=');
				if (equals >= 0) {
					this.options.put(name.substring(0, equals), name.substring(equals + 1));
				}
				else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
					this.options.put(name, args[++i]);
				}
				else {
					this.options.put(name, "true");
				}
			}
			else {
				this.positional.add(arg);
			}
		}
	}

	/**
	 * The first option given that is not one of {@code known}, or a stray positional
	 * argument, for a usage error; null when every argument is known.
	 * @param known the command's option names, without their dashes
	 * @return what to name in the error, or null
	 */
	String unknown(Set<String> known) {
		for (String name : this.options.keySet()) {
			if (!known.contains(name)) {
				return "--" + name;
			}
		}
		return this.positional.isEmpty() ? null : this.positional.get(0);
	}

	List<String> positional() {
		return this.positional;
	}

	String option(String name, String fallback) {
		return this.options.getOrDefault(name, fallback);
	}

	boolean flag(String name) {
		return Boolean.parseBoolean(this.options.getOrDefault(name, "false"));
	}

	String dbUrl() {
		return option("db-url", env("QUIVER_DB_URL", DEFAULT_URL));
	}

	String dbUser() {
		return option("db-user", env("QUIVER_DB_USER", "postgres"));
	}

	String dbPassword() {
		return env("QUIVER_DB_PASSWORD", "");
	}

	static HikariDataSource pool(String url, String user, String password, int size) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(url);
		config.setUsername(user);
		config.setPassword(password);
		config.setMaximumPoolSize(size);
		config.setPoolName("quiver-audit-cli");
		return new HikariDataSource(config);
	}

	static void quietLogging() {
		if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
			root.setLevel(ch.qos.logback.classic.Level.WARN);
		}
	}

	private static String env(String name, String fallback) {
		String value = System.getenv(name);
		return (value == null || value.isBlank()) ? fallback : value;
	}

}
