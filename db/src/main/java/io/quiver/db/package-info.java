/**
 * The database every Quiver component shares: its schema lives in {@code db/migrations}
 * (Flyway), and {@link io.quiver.db.EmbeddedPostgres} starts a private PostgreSQL for the
 * local stack and for tests.
 */
package io.quiver.db;
