/**
 * The {@code pando} command line ({@link dev.pando.node.cli.PandoCli}). Every subcommand is one
 * picocli class; client commands share {@link dev.pando.node.cli.ClientOptions} ({@code --url},
 * {@code --token}). Results go to stdout as compact JSON, one value per line; errors go to
 * stderr as one {@code error: …} line with the exit codes in {@link dev.pando.node.cli.ExitCodes}.
 */
package dev.pando.node.cli;
