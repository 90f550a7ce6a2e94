/**
 * Generates demo model directories (random weights, a byte-level BPE tokenizer, a ChatML
 * template) and PEFT LoRA adapters, deterministically, so Quiver runs where nothing can
 * be downloaded.
 */
package io.quiver.worker.demo;
