/**
 * What a model is: {@code config.json} translated once into a
 * {@link io.quiver.worker.model.ModelConfig} record, for the Llama, Qwen2 and Mistral
 * families.
 */
package io.quiver.worker.model;
