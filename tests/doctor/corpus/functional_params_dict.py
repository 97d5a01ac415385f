"""G and D as plain functions over a dict of parameter tensors (no nn.Module)."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=pass g_loss is BCE-with-logits of discriminator(generator(z)) against ones
# reason: T01=pass generator ends with torch.tanh and the data is x / 127.5 - 1
import torch
import torch.nn.functional as F


def init(shape):
    return (torch.randn(*shape) * 0.02).requires_grad_()


params_g = {"w1": init((64, 256)), "b1": init((256,)), "w2": init((256, 784)), "b2": init((784,))}
params_d = {"w1": init((784, 256)), "b1": init((256,)), "w2": init((256, 1)), "b2": init((1,))}


def generator(z, p):
    h = F.leaky_relu(F.linear(z, p["w1"].t(), p["b1"]), 0.2)
    return torch.tanh(F.linear(h, p["w2"].t(), p["b2"]))


def discriminator(x, p):
    h = F.leaky_relu(F.linear(x, p["w1"].t(), p["b1"]), 0.2)
    return F.linear(h, p["w2"].t(), p["b2"])


opt_g = torch.optim.Adam(params_g.values(), lr=2e-4)
opt_d = torch.optim.Adam(params_d.values(), lr=2e-4)
images = torch.load("digits_u8.pt").float().view(-1, 784) / 127.5 - 1

for step in range(10000):
    x = images[torch.randint(0, len(images), (64,))]
    z = torch.randn(64, 64)
    d_real, d_fake = discriminator(x, params_d), discriminator(generator(z, params_g).detach(), params_d)
    d_loss = F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real)) + F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake))
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    logits = discriminator(generator(z, params_g), params_d)
    g_loss = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
