/**
 * Shared test fixtures: above all {@link io.quiver.testing.TestDatabase}, the real
 * PostgreSQL that tests run against.
 */
package io.quiver.testing;
