package io.weft.smoke.app.servlet.jakarta;

/** Implements {@link StockApi} without an annotation of its own: its route comes from the interface. */
public class StockResource implements StockApi<String> {

  @Override
  public String level(String sku) {
    return "stock of " + sku;
  }
}
