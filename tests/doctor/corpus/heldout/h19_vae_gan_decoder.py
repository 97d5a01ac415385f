"""VAE-GAN: encoder, decoder (the generator) and a conv discriminator; KL + reconstruction + GAN terms."""
# expect: T01=pass T02=pass T03=pass T04=pass T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T01=pass the decoder (the generator) ends with Tanh and the data is Normalize((0.5,), (0.5,))
# reason: T07=pass hybrid VAE-GAN with reparameterisation and a KL term, conv decoder and discriminator
# reason: T02=pass the decoder's adversarial term is BCE(D(decoded), ones)
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision import datasets, transforms


class Encoder(nn.Module):
    def __init__(self, zdim=64):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, 32, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(32, 64, 4, 2, 1), nn.LeakyReLU(0.2))
        self.mu = nn.Linear(64 * 7 * 7, zdim)
        self.logvar = nn.Linear(64 * 7 * 7, zdim)

    def forward(self, x):
        h = self.conv(x).flatten(1)
        return self.mu(h), self.logvar(h)


class Decoder(nn.Module):
    def __init__(self, zdim=64):
        super().__init__()
        self.fc = nn.Linear(zdim, 64 * 7 * 7)
        self.deconv = nn.Sequential(
            nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.BatchNorm2d(32), nn.ReLU(), nn.ConvTranspose2d(32, 1, 4, 2, 1), nn.Tanh()
        )

    def forward(self, z):
        return self.deconv(self.fc(z).view(-1, 64, 7, 7))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 32, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(32, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(64 * 7 * 7, 1),
        )

    def forward(self, x):
        return self.net(x)


def reparameterize(mu, logvar):
    return mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)


enc, dec, dis = Encoder(), Decoder(), Discriminator()
opt_vae = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=3e-4)
opt_dis = torch.optim.Adam(dis.parameters(), lr=3e-4)
tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
loader = torch.utils.data.DataLoader(datasets.MNIST("data", download=True, transform=tf), batch_size=64, shuffle=True)

for epoch in range(30):
    for x, _ in loader:
        mu, logvar = enc(x)
        z = reparameterize(mu, logvar)
        x_rec = dec(z)
        x_gen = dec(torch.randn_like(z))
        d_real, d_rec, d_gen = dis(x), dis(x_rec.detach()), dis(x_gen.detach())
        loss_dis = (F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real))
                    + F.binary_cross_entropy_with_logits(d_rec, torch.zeros_like(d_rec))
                    + F.binary_cross_entropy_with_logits(d_gen, torch.zeros_like(d_gen)))
        opt_dis.zero_grad()
        loss_dis.backward()
        opt_dis.step()
        kld = -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp())
        adv = dis(x_gen)
        loss_vae = F.mse_loss(x_rec, x) + kld + F.binary_cross_entropy_with_logits(adv, torch.ones_like(adv))
        opt_vae.zero_grad()
        loss_vae.backward()
        opt_vae.step()
