/**
 * Command-line entry points: {@code bin/quiver audit verify} and
 * {@code bin/quiver bench audit}.
 */
package io.quiver.audit.cli;
