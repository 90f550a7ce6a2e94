/**
 * The inference worker application: the engine packages beneath it read top to bottom
 * (model, weights, tensor, kvcache, scheduler, sampler, adapter, tokenizer, engine), and
 * {@code api} exposes them over HTTP.
 */
package io.quiver.worker;
