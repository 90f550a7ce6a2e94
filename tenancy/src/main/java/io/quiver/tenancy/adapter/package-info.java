/**
 * The adapter registry: each tenant's LoRA adapters, their immutable versions, upload and
 * validation, and resolution of an OpenAI {@code model} in the caller's namespace.
 */
package io.quiver.tenancy.adapter;
