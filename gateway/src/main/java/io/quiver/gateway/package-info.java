/**
 * The gateway application; its features live in sub-packages ({@code openai},
 * {@code security}, {@code routing}, {@code limits}, {@code usage}, {@code console}).
 */
package io.quiver.gateway;
