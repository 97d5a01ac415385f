"""VAE-GAN: encoder with reparameterisation, KL term, decoder doubles as G."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
import torch
import torch.nn as nn
import torch.nn.functional as F


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(784, 256)
        self.mu = nn.Linear(256, 32)
        self.logvar = nn.Linear(256, 32)

    def forward(self, x):
        h = F.leaky_relu(self.fc(x), 0.2)
        return self.mu(h), self.logvar(h)


def reparameterize(mu, logvar):
    return mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)


decoder_G = nn.Sequential(nn.Linear(32, 256), nn.LeakyReLU(0.2), nn.Linear(256, 784), nn.Tanh())
critic_D = nn.Sequential(nn.Linear(784, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1))
enc = Encoder()
opt_G = torch.optim.Adam(list(enc.parameters()) + list(decoder_G.parameters()), lr=1e-4)
opt_D = torch.optim.Adam(critic_D.parameters(), lr=1e-4)

for x in torch.load("mnist_flat.pt"):
    x = x * 2.0 - 1.0
    mu, logvar = enc(x)
    z = reparameterize(mu, logvar)
    x_rec = decoder_G(z)
    x_gen = decoder_G(torch.randn_like(z))
    d_loss = F.binary_cross_entropy_with_logits(critic_D(x), torch.ones(len(x), 1)) + \
        F.binary_cross_entropy_with_logits(critic_D(x_gen.detach()), torch.zeros(len(x), 1))
    opt_D.zero_grad(); d_loss.backward(); opt_D.step()
    kl = -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp())
    g_loss = F.binary_cross_entropy_with_logits(critic_D(x_gen), torch.ones(len(x), 1)) + F.mse_loss(x_rec, x) + kl
    opt_G.zero_grad(); g_loss.backward(); opt_G.step()
