/**
 * PEFT LoRA adapters: reading and checking them against the base model, fusing their
 * weights per projection group, and keeping them in host and device tiers.
 */
package io.quiver.worker.adapter;
