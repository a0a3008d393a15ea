package io.weft.smoke.app.service;

public class OrderService {
  public String getOrder(int id) {
    return "order-" + id;
  }
}
