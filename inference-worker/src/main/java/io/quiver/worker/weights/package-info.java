/**
 * Reads (and, for the demo model, writes) safetensors files, single or sharded, widening
 * bf16 and fp16 to fp32 as they are loaded.
 */
package io.quiver.worker.weights;
